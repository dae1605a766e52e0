import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ChildRun {
  readonly code: number | null;
  readonly seconds: number;
  /** Peak resident set size of the child, sampled from /proc every 50 ms (Linux). */
  readonly peakRssMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command as a child process, timing it and sampling its memory. */
export function runChild(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildRun> {
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const sample = setInterval(() => {
    peak = Math.max(peak, rssKb(child.pid));
  }, 50);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(sample);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, seconds, peakRssMb: Math.round(peak / 1024), stdout, stderr });
    });
  });
}

function rssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // VmHWM is the kernel's own high-water mark, so short peaks between samples are not missed.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
