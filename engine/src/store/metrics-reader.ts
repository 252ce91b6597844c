// Reads metrics.jsonl tolerantly: a writer killed mid-write leaves a cut-off last line, and
// a damaged line must not hide the rest of the run. Both are skipped and reported.
import fs from 'node:fs';
import { StoreError, errnoCode, errorText } from './errors.js';
import { parseMetricLine } from './json-codec.js';
import type { MetricRow, MetricsReadResult, MetricsTailResult } from './types.js';

const NEWLINE = 0x0a;

/** Complete non-blank lines of a metrics file: the next sequence number a writer appending to it assigns. */
export function countMetricLines(text: string): number {
  let n = 0;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    if (text.slice(start, nl).trim()) n += 1;
    start = nl + 1;
  }
  return n;
}

export function readMetricsFile(file: string): MetricsReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { rows: [], nextSeq: 0, truncatedLastLine: false, warnings: [`metrics file ${file} does not exist`] };
    throw new StoreError(`cannot read metrics file ${file}: ${errorText(err)}`, { path: file, cause: err });
  }
  const lines = text.split('\n');
  const unterminated = lines.pop() ?? ''; // '' when the file ends with a newline
  const rows: MetricRow[] = [];
  const warnings: string[] = [];
  let truncatedLastLine = false;
  const lastContentIndex = unterminated.trim() ? lines.length : lastNonBlank(lines);

  const take = (line: string, index: number): void => {
    const lineNo = index + 1;
    const parsed = parseMetricLine(line);
    if (parsed.ok) {
      rows.push(parsed.row);
      for (const key of parsed.dropped) warnings.push(`line ${lineNo} of ${file}: field "${key}" is not a number, string, boolean or null; dropped`);
      return;
    }
    if (index === lastContentIndex) {
      truncatedLastLine = true;
      const how = index === lines.length ? 'truncated last line (no newline)' : 'corrupt last line';
      warnings.push(`line ${lineNo} of ${file}: ${how} ignored: ${parsed.reason}`);
    } else {
      warnings.push(`line ${lineNo} of ${file}: corrupt line skipped: ${parsed.reason}`);
    }
  };

  let nextSeq = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    nextSeq += 1;
    take(line, i);
  });
  // A final line without newline that still parses (e.g. a hand-edited file) is kept; it has no
  // sequence number (the writer numbers only the lines it terminated).
  if (unterminated.trim()) take(unterminated, lines.length);
  return { rows, nextSeq, truncatedLastLine, warnings };
}

/** Reads the complete lines after `from` (a byte offset, normally a previous nextOffset). */
export function tailMetricsFile(file: string, from: number): MetricsTailResult {
  if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`tail offset must be a non-negative integer, got ${from}`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    // The writer may not have created the file yet.
    if (errnoCode(err) === 'ENOENT' && from === 0) return { rows: [], nextOffset: 0, partialLine: false, warnings: [] };
    throw new StoreError(`cannot open metrics file ${file}: ${errorText(err)}`, { path: file, cause: err });
  }
  let chunk: Buffer;
  try {
    const size = fs.fstatSync(fd).size;
    if (from > size) {
      throw new StoreError(`offset ${from} is past the end of metrics file ${file} (${size} bytes): was it truncated or replaced?`, { path: file });
    }
    chunk = Buffer.alloc(size - from);
    let got = 0;
    while (got < chunk.length) {
      const n = fs.readSync(fd, chunk, got, chunk.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    chunk = chunk.subarray(0, got);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot read metrics file ${file}: ${errorText(err)}`, { path: file, cause: err });
  } finally {
    fs.closeSync(fd);
  }

  // Split on bytes, not characters, so offsets stay exact with multi-byte UTF-8.
  const end = chunk.lastIndexOf(NEWLINE) + 1;
  const rows: MetricRow[] = [];
  const warnings: string[] = [];
  let start = 0;
  while (start < end) {
    const nl = chunk.indexOf(NEWLINE, start);
    const line = chunk.toString('utf8', start, nl);
    if (line.trim()) {
      const parsed = parseMetricLine(line);
      if (parsed.ok) rows.push(parsed.row);
      else warnings.push(`byte ${from + start} of ${file}: corrupt line skipped: ${parsed.reason}`);
    }
    start = nl + 1;
  }
  return { rows, nextOffset: from + end, partialLine: end < chunk.length, warnings };
}

function lastNonBlank(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim()) return i;
  return -1;
}
