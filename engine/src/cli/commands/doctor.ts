// optlab doctor: which compute backends this machine has, why the others are missing, and what
// 'auto' picks (engine/src/tf/backend.ts).
import { BACKEND_PACKAGES, probeBackends, type BackendReport, type DoctorReport, type InitOptions } from '../../tf/backend';
import { parseArgs, UsageError } from '../args';

export const DOCTOR_USAGE = 'optlab doctor [--json]';

export async function doctorCommand(argv: string[], options: InitOptions = {}): Promise<number> {
  const parsed = parseArgs(argv, { booleans: ['json'] }, 'doctor');
  if (parsed.positional.length) throw new UsageError(`optlab doctor: unexpected argument '${parsed.positional[0]}'\nusage: ${DOCTOR_USAGE}`);
  const report = await probeBackends({ registerGradientFixes: false, ...options });
  if (parsed.booleans.has('json')) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatDoctorReport(report) + '\n');
  return report.error ? 1 : 0;
}

function availableText(b: BackendReport): string {
  const parts = [b.version ?? '?'];
  if (b.device) parts.push(`${b.device.kind} ${b.device.name}`);
  if (b.threads !== undefined) parts.push(`${b.threads} thread${b.threads === 1 ? '' : 's'}`);
  if (b.wasm) parts.push(`SIMD ${b.wasm.simd ? 'on' : 'off'}`);
  if (b.backend === 'cpu') parts.push('pure JavaScript, slowest');
  return parts.join('; ');
}

export function formatDoctorReport(r: DoctorReport): string {
  const lines: string[] = ['optlab doctor: compute backends for neural training', ''];
  if (r.error) {
    lines.push(`  error: ${r.error}`, '');
  }
  const nameW = Math.max(...r.backends.map((b) => b.backend.length), 7);
  const pkgW = Math.max(...Object.values(BACKEND_PACKAGES).map((p) => p.length));
  const indent = ' '.repeat(2 + nameW + 2 + pkgW + 2 + 5);
  for (const b of r.backends) {
    const head = `  ${b.backend.padEnd(nameW)}  ${b.package.padEnd(pkgW)}  ${(b.available ? 'yes' : 'no').padEnd(3)}  `;
    if (b.available) {
      lines.push(head + availableText(b));
    } else if (b.unavailable) {
      lines.push(head + b.unavailable.reason);
      lines.push(`${indent}fix: ${b.unavailable.remedy}`);
    }
  }
  lines.push('');
  if (r.defaultBackend) lines.push(`default (auto): ${r.defaultBackend}${r.defaultNote ? ` (${r.defaultNote})` : ''}`);
  else if (!r.error) lines.push('default (auto): none available');
  lines.push(`node ${r.node} on ${r.platform} ${r.arch}, ${r.cpus} CPU${r.cpus === 1 ? '' : 's'} (${r.cpuModel})`);
  if (r.tfjs) lines.push(`tfjs ${r.tfjs}`);
  if (r.wasm) {
    const yn = (x: boolean | undefined) => (x === undefined ? 'unknown' : x ? 'yes' : 'no');
    lines.push(`wasm: SIMD ${yn(r.wasm.simd)}, threads ${yn(r.wasm.threads)}: ${r.wasm.note}`);
  }
  lines.push('A backend chosen by name (setting optlab.computeBackend, or a run\'s backend) that is unavailable is an error, not a fallback.');
  return lines.join('\n');
}
