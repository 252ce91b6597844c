// Replace a file so readers see either the old or the new content, never a half-written one.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StoreError, errorText } from './errors.js';
import { type StoreFs, writeAllSync } from './fs-ops.js';

export function writeFileAtomicSync(sfs: StoreFs, file: string, text: string): void {
  const dir = path.dirname(file);
  // pid + random: two processes updating the same file never share a temp file.
  const tmp = path.join(dir, `${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = sfs.openSync(tmp, 'wx');
    writeAllSync(sfs, fd, Buffer.from(text, 'utf8'));
    sfs.fsyncSync(fd);
    sfs.closeSync(fd);
    fd = undefined;
    sfs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) {
      try {
        sfs.closeSync(fd);
      } catch {
        // already failing; the original error is the useful one
      }
    }
    try {
      sfs.unlinkSync(tmp);
    } catch {
      // the temp file may never have been created
    }
    throw new StoreError(`cannot write ${file}: ${errorText(err)}`, { path: file, cause: err });
  }
  fsyncDirBestEffort(dir);
}

/** Makes the rename itself durable; not supported everywhere (e.g. Windows), hence best effort. */
function fsyncDirBestEffort(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // durability hint only
  }
  if (fd !== undefined) {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing was written through this descriptor
    }
  }
}
