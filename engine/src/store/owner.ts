// Who is running a run: the owner process {pid, host, startedAt} recorded in run.json, and its
// heartbeat, one small file per process under <root>/owners/ whose mtime it renews every few seconds
// (one touch per process, not per run). A reader decides from them whether a queued or running run
// still has a live owner: on the same host the process id must be alive (and not reused since the
// owner started); on another host the heartbeat must be recent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { RunOwner } from './types.js';
import { makeDirs } from '../util/make-dirs.js';

export type { RunOwner } from './types.js';

export type OwnerState = { alive: true } | { alive: false; reason: string };

export const OWNERS_DIR = 'owners';
/** How often a process renews its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A heartbeat older than this means the owner on another host is gone. */
export const HEARTBEAT_STALE_MS = 60_000;
/** A run without an owner (written by an older engine) is taken as crashed when run.json is older than this. */
export const OWNERLESS_STALE_MS = 10 * 60_000;

const PROCESS_STARTED = new Date(Date.now() - Math.round(process.uptime() * 1000));

export function currentOwner(): RunOwner {
  return { pid: process.pid, host: os.hostname(), startedAt: PROCESS_STARTED.toISOString() };
}

export function heartbeatPath(root: string, owner: RunOwner): string {
  const host = owner.host.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(root, OWNERS_DIR, `${host}-${owner.pid}-${Date.parse(owner.startedAt) || 0}.json`);
}

export function isRunOwner(value: unknown): value is RunOwner {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return Number.isInteger(o.pid) && (o.pid as number) > 0 && typeof o.host === 'string' && typeof o.startedAt === 'string';
}

const leases = new Map<string, NodeJS.Timeout>();

/**
 * Starts this process's heartbeat in a store (once per store and owner): writes the owner file,
 * renews its mtime every HEARTBEAT_INTERVAL_MS without keeping the process alive, and removes it
 * when the process exits. Failures are ignored: the heartbeat only matters to readers on other
 * hosts, and a store that cannot take this file cannot take the runs either (they report that).
 */
export function startHeartbeat(root: string, owner: RunOwner): void {
  const file = heartbeatPath(root, owner);
  if (leases.has(file)) return;
  try {
    // Level by level: a recursive mkdir spins forever under /proc (see util/make-dirs.ts).
    makeDirs(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify(owner) + '\n');
  } catch {
    return;
  }
  const timer = setInterval(() => {
    try {
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch {
      // a read-only or full store: readers on this host use the process id instead
    }
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  leases.set(file, timer);
  if (leases.size === 1) process.once('exit', removeHeartbeats);
}

function removeHeartbeats(): void {
  for (const [file, timer] of leases) {
    clearInterval(timer);
    try {
      fs.unlinkSync(file);
    } catch {
      // already gone
    }
  }
  leases.clear();
}

/** Whether the owner of an unfinished run is still there; `cache` shares answers within one listing. */
export function ownerState(root: string, owner: RunOwner, now: number, cache?: Map<string, OwnerState>): OwnerState {
  const key = `${owner.host}\0${owner.pid}\0${owner.startedAt}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const state = owner.host === os.hostname() ? localOwnerState(owner) : remoteOwnerState(root, owner, now);
  cache?.set(key, state);
  return state;
}

function localOwnerState(owner: RunOwner): OwnerState {
  const who = `its owner process ${owner.pid} on ${owner.host}`;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return { alive: false, reason: `${who} is gone` };
  }
  const stat = procStat(owner.pid);
  // A killed process its parent has not reaped yet still answers kill(pid, 0).
  if (stat?.state === 'Z') return { alive: false, reason: `${who} is gone` };
  const started = stat?.startMs;
  // A process that started well after the owner is another one that got the same id.
  if (started !== undefined && started > Date.parse(owner.startedAt) + 5_000) return { alive: false, reason: `${who} is gone (the id now belongs to another process)` };
  return { alive: true };
}

function remoteOwnerState(root: string, owner: RunOwner, now: number): OwnerState {
  const who = `its owner process ${owner.pid} on ${owner.host}`;
  let mtime: number;
  try {
    mtime = fs.statSync(heartbeatPath(root, owner)).mtimeMs;
  } catch {
    return { alive: false, reason: `${who} has no heartbeat` };
  }
  const age = now - mtime;
  if (age > HEARTBEAT_STALE_MS) return { alive: false, reason: `${who} has not renewed its heartbeat for ${Math.round(age / 1000)} s` };
  return { alive: true };
}

/** Linux: a process's state letter and when it started (ms since the epoch), from /proc; undefined elsewhere or on error. */
function procStat(pid: number): { state: string; startMs: number | undefined } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the parenthesized command name: field 3 (state), ..., field 22 (starttime, clock ticks since boot).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    const startMs = Number.isFinite(ticks) && btime ? Number(btime[1]) * 1000 + (ticks / CLOCK_TICKS) * 1000 : undefined;
    return { state: fields[0], startMs };
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (the kernel ABI fixes it for /proc). */
const CLOCK_TICKS = 100;
