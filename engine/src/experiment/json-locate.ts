// A strict JSON parser that remembers where every value and key is, so validation issues
// (which speak in JSON pointers) can name a line and column, and malformed JSON gets a
// message better than JSON.parse's. Columns count UTF-16 code units, as editors do.
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

const MAX_DEPTH = 512;
const ESCAPES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
});

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Parses JSON text; throws ExperimentError naming file:line:col and what was expected. */
export function parseJsonWithLocation(text: string, file?: string): JsonDocument {
  const parser = new Parser(text, file);
  const value = parser.parseDocument();
  const { spans } = parser;
  return {
    value,
    file,
    locate(pointer, part = 'value') {
      for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
        const span = spans.get(p);
        if (span) {
          const [s, e] = (part === 'key' && p === pointer && span.key) || span.value;
          return { start: parser.position(s), end: parser.position(e) };
        }
        if (p === '') return undefined;
      }
    },
  };
}

type Span = [start: number, end: number];

class Parser {
  readonly spans = new Map<string, { value: Span; key?: Span }>();
  private i = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly file?: string,
  ) {
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      // \n, \r\n and a lone \r each end a line.
      if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) this.lineStarts.push(k + 1);
    }
    if (text.charCodeAt(0) === 0xfeff) this.i = 1; // BOM
  }

  position(offset: number): SourcePosition {
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
    const value = this.parseValue('', 0);
    this.skipWhitespace();
    if (this.i < this.text.length) this.unexpected('end of input');
    return value;
  }

  private parseValue(pointer: string, depth: number, key?: Span): unknown {
    if (depth > MAX_DEPTH) this.fail(this.i, `nesting deeper than ${MAX_DEPTH} levels`);
    const start = this.i;
    const c = this.text[this.i];
    let value: unknown;
    if (c === '{') value = this.parseObject(pointer, depth);
    else if (c === '[') value = this.parseArray(pointer, depth);
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
    this.spans.set(pointer, key ? { value: [start, this.i], key } : { value: [start, this.i] });
    return value;
  }

  private parseObject(pointer: string, depth: number): Record<string, unknown> {
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
      const keySpan: Span = [keyStart, this.i];
      const child = `${pointer}/${pointerSegment(name)}`;
      const first = seen.get(name);
      if (first !== undefined) {
        const at = this.position(first);
        this.fail(keyStart, `duplicate key '${name}'`, { path: child, note: `first defined at ${at.line}:${at.column}` });
      }
      seen.set(name, keyStart);
      this.skipWhitespace();
      if (this.text[this.i] !== ':') this.unexpected("':'");
      this.i++;
      this.skipWhitespace();
      // defineProperty so that a "__proto__" key stays an ordinary property, as with JSON.parse.
      Object.defineProperty(obj, name, { value: this.parseValue(child, depth + 1, keySpan), enumerable: true, writable: true, configurable: true });
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

  private parseArray(pointer: string, depth: number): unknown[] {
    const arr: unknown[] = [];
    this.i++; // [
    this.skipWhitespace();
    if (this.text[this.i] === ']') {
      this.i++;
      return arr;
    }
    for (;;) {
      if (this.text[this.i] === ']') this.unexpected('a value', 'trailing commas are not allowed');
      arr.push(this.parseValue(`${pointer}/${arr.length}`, depth + 1));
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
