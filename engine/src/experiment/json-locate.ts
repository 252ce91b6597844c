// A strict JSON parser that can say where every value and key is, so validation issues (which
// speak in JSON pointers) can name a line and column, and malformed JSON gets a message better than
// JSON.parse's. Columns count UTF-16 code units, as editors do.
//
// Memory does not grow with the number of values: parsing keeps no index of positions; locate()
// re-scans the text along the one pointer it is asked for, skipping every other value without
// building it. Text over MAX_EXPERIMENT_FILE_BYTES is refused before parsing (the extension runs
// this on its main thread on every edit), and nesting is capped at MAX_JSON_DEPTH.
import { MAX_EXPERIMENT_FILE_BYTES, MAX_JSON_DEPTH } from '../spec/limits';
import { ExperimentError } from './experiment-error';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 0-based offset into the text. */
  offset: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export interface JsonDocument {
  value: unknown;
  file?: string;
  /**
   * Range of the value at a JSON pointer (or of its property name, with part 'key').
   * Falls back to the nearest ancestor that exists; undefined only for an empty document.
   */
  locate(pointer: string, part?: 'key' | 'value'): SourceRange | undefined;
}

const ESCAPES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
});

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The segments of a JSON pointer, unescaped ('' -> []). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Text longer than the limit: an ExperimentError naming the size and the limit. */
export function checkExperimentSize(size: number, file?: string, unit = 'bytes'): void {
  if (size <= MAX_EXPERIMENT_FILE_BYTES) return;
  const message = `the file is ${size} ${unit}, more than the limit of ${MAX_EXPERIMENT_FILE_BYTES} for an experiment file (MAX_EXPERIMENT_FILE_BYTES); not read`;
  throw new ExperimentError([{ path: '', message }], file, 'experiment file too large');
}

/** Parses JSON text; throws ExperimentError naming file:line:col and what was expected. */
export function parseJsonWithLocation(text: string, file?: string): JsonDocument {
  checkExperimentSize(text.length, file, 'characters');
  const parser = new Parser(text, file);
  const value = parser.parseDocument();
  return {
    value,
    file,
    locate(pointer, part = 'value') {
      const found = new Locator(text).find(pointerSegments(pointer));
      if (!found) return undefined;
      const [s, e] = (part === 'key' && found.exact && found.key) || found.value;
      return { start: parser.position(s), end: parser.position(e) };
    },
  };
}

type Span = [start: number, end: number];

class Parser {
  private i = 0;
  /** Offsets where lines start, computed on the first position asked for. */
  private lineStarts: number[] | undefined;
  /** Keys and indices from the document to the value being parsed (for a duplicate key's path). */
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly file?: string,
  ) {
    if (text.charCodeAt(0) === 0xfeff) this.i = 1; // BOM
  }

  position(offset: number): SourcePosition {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let k = 0; k < this.text.length; k++) {
        const c = this.text.charCodeAt(k);
        // \n, \r\n and a lone \r each end a line.
        if (c === 10 || (c === 13 && this.text.charCodeAt(k + 1) !== 10)) this.lineStarts.push(k + 1);
      }
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1, offset };
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.i < this.text.length) this.unexpected('end of input');
    return value;
  }

  private parseValue(depth: number): unknown {
    const c = this.text[this.i];
    // depth counts the containers around this value: the document itself is at 0.
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) {
      this.fail(this.i, `nesting deeper than the limit of ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`, { path: this.pointer() });
    }
    let value: unknown;
    if (c === '{') value = this.parseObject(depth);
    else if (c === '[') value = this.parseArray(depth);
    else if (c === '"') value = this.parseString();
    else if (c === '-' || (c >= '0' && c <= '9')) value = this.parseNumber();
    else {
      const word = /[A-Za-z_$][\w$]*/y;
      word.lastIndex = this.i;
      const m = word.exec(this.text);
      if (m && (m[0] === 'true' || m[0] === 'false' || m[0] === 'null')) {
        this.i += m[0].length;
        value = m[0] === 'null' ? null : m[0] === 'true';
      } else this.unexpected('a value');
    }
    return value;
  }

  private pointer(): string {
    return this.path.map((s) => `/${pointerSegment(s)}`).join('');
  }

  private parseObject(depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const seen = new Map<string, number>();
    this.i++; // {
    this.skipWhitespace();
    if (this.text[this.i] === '}') {
      this.i++;
      return obj;
    }
    for (;;) {
      if (this.text[this.i] !== '"') {
        this.unexpected('a property name in double quotes', this.text[this.i] === '}' ? 'trailing commas are not allowed' : undefined);
      }
      const keyStart = this.i;
      const name = this.parseString();
      const first = seen.get(name);
      if (first !== undefined) {
        const at = this.position(first);
        this.fail(keyStart, `duplicate key '${name}'`, { path: `${this.pointer()}/${pointerSegment(name)}`, note: `first defined at ${at.line}:${at.column}` });
      }
      seen.set(name, keyStart);
      this.skipWhitespace();
      if (this.text[this.i] !== ':') this.unexpected("':'");
      this.i++;
      this.skipWhitespace();
      // defineProperty so that a "__proto__" key stays an ordinary property, as with JSON.parse.
      this.path.push(name);
      Object.defineProperty(obj, name, { value: this.parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
      this.path.pop();
      this.skipWhitespace();
      const c = this.text[this.i];
      if (c === '}') {
        this.i++;
        return obj;
      }
      if (c !== ',') this.unexpected("',' or '}'", c === '"' ? 'missing comma?' : undefined);
      this.i++;
      this.skipWhitespace();
    }
  }

  private parseArray(depth: number): unknown[] {
    const arr: unknown[] = [];
    this.i++; // [
    this.skipWhitespace();
    if (this.text[this.i] === ']') {
      this.i++;
      return arr;
    }
    for (;;) {
      if (this.text[this.i] === ']') this.unexpected('a value', 'trailing commas are not allowed');
      this.path.push(arr.length);
      arr.push(this.parseValue(depth + 1));
      this.path.pop();
      this.skipWhitespace();
      const c = this.text[this.i];
      if (c === ']') {
        this.i++;
        return arr;
      }
      if (c !== ',') this.unexpected("',' or ']'", c !== undefined && '"{[-0123456789tfn'.includes(c) ? 'missing comma?' : undefined);
      this.i++;
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    const start = this.i;
    this.i++; // "
    let out = '';
    let chunk = this.i;
    for (;;) {
      if (this.i >= this.text.length) this.fail(start, 'unterminated string');
      const c = this.text.charCodeAt(this.i);
      if (c === 34) break; // "
      if (c < 0x20) {
        if (c === 10 || c === 13) this.fail(start, 'unterminated string', { note: 'strings cannot span lines' });
        this.fail(this.i, 'control character in string', { note: 'escape it, e.g. \\t' });
      }
      if (c !== 92) {
        this.i++;
        continue;
      }
      out += this.text.slice(chunk, this.i);
      const e = this.text[this.i + 1];
      if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else {
        this.fail(this.i, `invalid escape '${this.text.slice(this.i, this.i + (e === 'u' ? 6 : 2))}' in string`);
      }
      chunk = this.i;
    }
    out += this.text.slice(chunk, this.i);
    this.i++; // closing "
    return out;
  }

  private parseNumber(): number {
    const lexeme = /-?[0-9A-Za-z.+-]*/y;
    lexeme.lastIndex = this.i;
    const raw = lexeme.exec(this.text)![0];
    // The lexeme may run past the number (e.g. "1,"): take the longest valid JSON number prefix.
    const valid = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    valid.lastIndex = this.i;
    const m = valid.exec(this.text);
    if (!m || m[0].length !== raw.length) this.fail(this.i, `invalid number '${raw}'`);
    this.i += raw.length;
    return Number(raw);
  }

  private skipWhitespace(): void {
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else break;
    }
  }

  private unexpected(expected: string, hint?: string): never {
    let found: string;
    if (this.i >= this.text.length) found = 'end of input';
    else {
      const word = /[A-Za-z_$][\w$]*/y;
      word.lastIndex = this.i;
      found = `'${word.exec(this.text)?.[0] ?? this.text[this.i]}'`;
      const c = this.text[this.i];
      if (!hint && c === '/') hint = 'comments are not allowed in JSON';
      if (!hint && c === "'") hint = 'JSON strings use double quotes';
    }
    this.fail(this.i, `unexpected ${found}`, { expected, note: hint });
  }

  /** Throws "<what> at line:col[, expected <expected>][ (<note>)]". */
  private fail(offset: number, what: string, more: { path?: string; expected?: string; note?: string } = {}): never {
    const { line, column } = this.position(offset);
    const { path = '', expected, note } = more;
    const message = `${what} at ${line}:${column}${expected ? `, expected ${expected}` : ''}${note ? ` (${note})` : ''}`;
    throw new ExperimentError([{ path, message, line, column }], this.file, 'invalid JSON');
  }
}

/**
 * Finds one pointer's value in valid JSON text by scanning along it: members and elements off the
 * path are skipped without being built, so it holds nothing per value.
 */
class Locator {
  constructor(private readonly text: string) {}

  /** The value (and key) span of the deepest existing prefix of `segments`; exact when all exist. */
  find(segments: string[]): { value: Span; key?: Span; exact: boolean } | undefined {
    let i = this.skipWhitespace(this.text.charCodeAt(0) === 0xfeff ? 1 : 0);
    if (i >= this.text.length) return undefined;
    let key: Span | undefined;
    for (const segment of segments) {
      const child = this.child(i, segment);
      if (!child) return { value: [i, this.skipValue(i)], key, exact: false };
      ({ key, value: i } = child);
    }
    return { value: [i, this.skipValue(i)], key, exact: true };
  }

  /** Where the member or element `segment` of the container at `i` starts, and its key's span. */
  private child(i: number, segment: string): { value: number; key?: Span } | undefined {
    const open = this.text[i];
    if (open === '[') {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      let index = Number(segment);
      let j = this.skipWhitespace(i + 1);
      if (this.text[j] === ']') return undefined;
      for (;;) {
        if (index === 0) return { value: j };
        j = this.skipWhitespace(this.skipValue(j));
        if (this.text[j] !== ',') return undefined;
        j = this.skipWhitespace(j + 1);
        index -= 1;
      }
    }
    if (open !== '{') return undefined;
    let j = this.skipWhitespace(i + 1);
    if (this.text[j] === '}') return undefined;
    for (;;) {
      const keyEnd = this.skipString(j);
      const name = JSON.parse(this.text.slice(j, keyEnd)) as string;
      const valueStart = this.skipWhitespace(this.skipWhitespace(keyEnd) + 1); // past ':'
      if (name === segment) return { value: valueStart, key: [j, keyEnd] };
      j = this.skipWhitespace(this.skipValue(valueStart));
      if (this.text[j] !== ',') return undefined;
      j = this.skipWhitespace(j + 1);
    }
  }

  /** The offset just past the value starting at `i`. */
  private skipValue(i: number): number {
    const c = this.text[i];
    if (c === '"') return this.skipString(i);
    if (c === '{' || c === '[') {
      let depth = 0;
      for (let j = i; j < this.text.length; j++) {
        const d = this.text[j];
        if (d === '"') j = this.skipString(j) - 1;
        else if (d === '{' || d === '[') depth += 1;
        else if ((d === '}' || d === ']') && --depth === 0) return j + 1;
      }
      return this.text.length;
    }
    let j = i;
    while (j < this.text.length && !' \t\n\r,]}'.includes(this.text[j])) j++;
    return j;
  }

  /** The offset just past the string starting at `i` (its opening quote). */
  private skipString(i: number): number {
    let j = i + 1;
    while (j < this.text.length && this.text[j] !== '"') j += this.text[j] === '\\' ? 2 : 1;
    return j + 1;
  }

  private skipWhitespace(i: number): number {
    let j = i;
    while (j < this.text.length) {
      const c = this.text[j];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') j++;
      else break;
    }
    return j;
  }
}
