// The write-side file system calls the store makes, injectable so tests can simulate ENOSPC/EACCES.
import fs from 'node:fs';

export interface StoreFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSize(fd: number): number;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

export const nodeStoreFs: StoreFs = {
  openSync: (p, flags) => fs.openSync(p, flags),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fstatSize: (fd) => fs.fstatSync(fd).size,
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (p) => fs.unlinkSync(p),
};

export function resolveStoreFs(overrides?: Partial<StoreFs>): StoreFs {
  return overrides ? { ...nodeStoreFs, ...overrides } : nodeStoreFs;
}

/** writeSync may write fewer bytes than asked; loop until all are out. */
export function writeAllSync(sfs: StoreFs, fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) {
    const n = sfs.writeSync(fd, data, offset, data.length - offset);
    if (n <= 0) throw new Error(`write returned ${n} with ${data.length - offset} bytes left`);
    offset += n;
  }
}
