// Small DOM helpers. Text goes in through textContent only (never innerHTML), so run labels and
// config values cannot inject markup; no inline style attributes (the CSP forbids them).

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; attrs?: Attrs; title?: string } = {},
  children: (Node | string | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.title !== undefined) e.title = props.title;
  if (props.attrs)
    for (const [k, v] of Object.entries(props.attrs)) {
      if (v === undefined || v === false) continue;
      e.setAttribute(k, v === true ? '' : String(v));
    }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** A colour swatch: the colour is set through the CSSOM (allowed by the CSP), not a style attribute. */
export function swatch(color: string, dashed = false): HTMLSpanElement {
  const s = el('span', { class: dashed ? 'swatch dashed' : 'swatch', attrs: { 'aria-hidden': 'true' } });
  s.style.backgroundColor = color;
  s.style.borderColor = color;
  return s;
}

export function clear(e: Element): void {
  e.replaceChildren();
}
