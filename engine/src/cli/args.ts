// A small, strict argument parser: unknown flags and missing values are usage errors (exit 2).

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value. */
  values?: string[];
  /** Boolean flags. */
  booleans?: string[];
}

export interface Parsed {
  positional: string[];
  values: Map<string, string>;
  booleans: Set<string>;
}

export function parseArgs(argv: string[], spec: FlagSpec, command: string): Parsed {
  const values = new Set(spec.values ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const out: Parsed = { positional: [], values: new Map(), booleans: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`optlab ${command}: --${name} takes no value`);
      out.booleans.add(name);
    } else if (values.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`optlab ${command}: --${name} needs a value`);
      out.values.set(name, value);
    } else {
      const known = [...values, ...booleans].map((f) => `--${f}`).join(', ');
      throw new UsageError(`optlab ${command}: unknown option '${arg}'${known ? ` (known: ${known})` : ''}`);
    }
  }
  return out;
}

export function numberFlag(parsed: Parsed, name: string, command: string, check: (x: number) => boolean, expected: string): number | undefined {
  const raw = parsed.values.get(name);
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`optlab ${command}: --${name} must be ${expected}, got '${raw}'`);
  return x;
}
