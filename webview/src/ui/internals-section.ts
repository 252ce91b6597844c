// The dashboard's "Optimizer internals" section: a collapsible block below the result charts with
// one group per stat prefix (kfac, ngd, grad, update...). A per-layer stat is one chart slot with a
// layer selector, so 40 layers stay one chart. Slot and group elements are kept between layouts
// and chart cards are only moved when they change: re-parenting a live canvas makes Chart.js
// re-measure it.
import { chosenLayer, familyMetric, INTERNALS_TITLE, type ChartSlot, type InternalsGroup } from '../model/metric-groups';
import type { BoardState } from '../model/view-state';
import { el } from './dom';

interface SlotView {
  element: HTMLDivElement;
  select?: HTMLSelectElement;
  layersKey?: string;
}

interface GroupView {
  element: HTMLElement;
  grid: HTMLDivElement;
}

export class InternalsSection {
  readonly element: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly body: HTMLDivElement;
  private readonly groups = new Map<string, GroupView>();
  private readonly slots = new Map<string, SlotView>();

  constructor(
    private readonly state: BoardState,
    /** The user opened/closed the section or picked a layer: persist and lay the charts out again. */
    private readonly changed: () => void,
  ) {
    this.summary = el('summary', { text: INTERNALS_TITLE });
    this.body = el('div', { class: 'internals-body' });
    this.element = el('details', { class: 'internals hidden' }, [this.summary, this.body]);
    this.element.open = state.internalsOpen;
    this.element.addEventListener('toggle', () => {
      if (this.element.open === this.state.internalsOpen) return;
      this.state.internalsOpen = this.element.open;
      this.changed();
    });
  }

  get open(): boolean {
    return this.state.internalsOpen;
  }

  /** The metric key each slot draws now (family slots: the chosen layer's). */
  static slotMetric(slot: ChartSlot, layers: Readonly<Record<string, string>>): string {
    return slot.kind === 'metric' ? slot.metric : familyMetric(slot.family, chosenLayer(slot.family, layers[slot.family.id]));
  }

  /**
   * Shows `groups`; `cardOf` gives the chart card of a metric key (undefined while the section is
   * closed: no charts are made for a hidden section).
   */
  render(groups: readonly InternalsGroup[], cardOf: ((metric: string) => HTMLElement) | undefined): void {
    this.element.classList.toggle('hidden', groups.length === 0);
    const charts = groups.reduce((n, g) => n + g.slots.length, 0);
    const prefixes = groups.map((g) => g.prefix).join(', ');
    this.summary.textContent = `${INTERNALS_TITLE} \u00b7 ${prefixes} (${charts} chart${charts === 1 ? '' : 's'})`;
    const groupEls: HTMLElement[] = [];
    const liveSlots = new Set<string>();
    for (const g of groups) {
      const view = this.groupView(g.prefix);
      const slotEls = g.slots.map((slot) => {
        const id = slot.kind === 'metric' ? slot.metric : slot.family.id;
        liveSlots.add(id);
        const sv = this.slotView(id, slot);
        const card = cardOf?.(InternalsSection.slotMetric(slot, this.state.layers));
        const want = [sv.select ? this.layerBar(sv) : undefined, card].filter((x): x is HTMLElement => x !== undefined);
        if (want.length !== sv.element.children.length || want.some((c, i) => sv.element.children[i] !== c)) sv.element.replaceChildren(...want);
        return sv.element;
      });
      replaceIfDifferent(view.grid, slotEls);
      groupEls.push(view.element);
    }
    for (const id of [...this.slots.keys()]) if (!liveSlots.has(id)) this.slots.delete(id);
    for (const p of [...this.groups.keys()]) if (!groups.some((g) => g.prefix === p)) this.groups.delete(p);
    replaceIfDifferent(this.body, groupEls);
  }

  private groupView(prefix: string): GroupView {
    let v = this.groups.get(prefix);
    if (v === undefined) {
      const grid = el('div', { class: 'chart-grid' });
      v = { element: el('section', { class: 'internals-group', attrs: { 'data-prefix': prefix } }, [el('h3', { text: prefix }), grid]), grid };
      this.groups.set(prefix, v);
    }
    return v;
  }

  private slotView(id: string, slot: ChartSlot): SlotView {
    let v = this.slots.get(id);
    if (v === undefined || (slot.kind === 'family') !== (v.select !== undefined)) {
      v = { element: el('div', { class: 'chart-slot', attrs: { 'data-slot': id } }) };
      if (slot.kind === 'family') {
        const select = el('select', { class: 'layer-select', attrs: { 'aria-label': `layer of ${id}` } });
        select.addEventListener('change', () => {
          this.state.layers[id] = select.value;
          this.changed();
        });
        v.select = select;
      }
      this.slots.set(id, v);
    }
    if (slot.kind === 'family' && v.select) {
      const key = slot.family.layers.join('\u0000');
      if (v.layersKey !== key) {
        v.select.replaceChildren(...slot.family.layers.map((l) => el('option', { text: l, attrs: { value: l } })));
        v.layersKey = key;
      }
      v.select.value = chosenLayer(slot.family, this.state.layers[id]);
      v.select.title = `${slot.family.layers.length} layers report ${id}`;
    }
    return v;
  }

  private layerBar(v: SlotView): HTMLElement {
    const bar = v.element.querySelector<HTMLElement>(':scope > .layer-bar');
    if (bar) return bar;
    return el('label', { class: 'layer-bar control' }, [el('span', { text: 'layer' }), v.select!]);
  }
}

function replaceIfDifferent(parent: HTMLElement, children: readonly HTMLElement[]): void {
  const current = parent.children;
  if (children.length !== current.length || children.some((c, i) => c !== current[i])) parent.replaceChildren(...children);
}
