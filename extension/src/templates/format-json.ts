// JSON text as a person would write an experiment file: a value that fits on one line stays on one
// line ({ "logspace": [-5, 0.5, 100] }), larger ones are broken over lines with 2-space indents.

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value) ?? 'null';
}

function block(value: unknown, indent: number, width: number, prefixLength: number): string {
  const one = inline(value);
  if (indent + prefixLength + one.length <= width || value === null || typeof value !== 'object') return one;
  const pad = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return `[\n${value.map((v) => pad + block(v, indent + 2, width, 1)).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (!entries.length) return '{}';
  return `{\n${entries
    .map(([k, v]) => {
      const key = `${JSON.stringify(k)}: `;
      return pad + key + block(v, indent + 2, width, key.length + 1);
    })
    .join(',\n')}\n${close}}`;
}

/** Pretty JSON with short values kept on one line; ends with a newline. */
export function formatJson(value: unknown, width = 100): string {
  return `${block(value, 0, width, 0)}\n`;
}
