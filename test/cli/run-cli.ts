// Runs the built `certsweep` bin as a user does: a child process of `node dist/cli/main.cjs`,
// with a small environment of its own, so nothing of the test runner's leaks in.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

export const root = resolve(import.meta.dirname, '../..');
export const bin = join(root, 'dist/cli/main.cjs');

/** A parsed JSON object, its fields read as the test needs them. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked against the schema first
export type JsonObject = Record<string, any>;

/** What one run of the command gave. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link certsweep}. */
export interface CliOptions {
  /** Added to the minimal environment (PATH, HOME). */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed; default: stdin closed at once. */
  input?: string | Buffer;
}

/** Runs `certsweep ...args` and collects its exit code and output. */
export function certsweep(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? root,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', fail);
    child.on('close', (code) =>
      done({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** What a usage error looks like: exit 2, one line on stderr naming the command, no stack. */
export function expectUsageError(run: CliRun, pattern: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^certsweep [a-z ]+: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

const schema = JSON.parse(readFileSync(join(root, 'docs/scan-output.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat('date-time', {
  type: 'string',
  validate: (text: string) =>
    !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text,
});
const validateLine = ajv.compile(schema);

/**
 * Parses JSON Lines and checks every line against docs/scan-output.schema.json; throws
 * naming the line and the schema's complaints.
 */
export function schemaValidLines(text: string): JsonObject[] {
  const lines = text.split('\n').filter((line) => line !== '');
  return lines.map((line, i) => schemaValid(JSON.parse(line), `line ${i + 1}`));
}

/** Checks one result object against the published schema. */
export function schemaValid(value: unknown, where = 'result'): JsonObject {
  if (!validateLine(value)) {
    throw new Error(`${where} does not match the schema: ${ajv.errorsText(validateLine.errors)}`);
  }
  return value as JsonObject;
}
