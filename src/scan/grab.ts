import { ScanOptionsError } from '../errors.js';
import type { Target } from '../targets/index.js';
import { DESCRIPTOR_RETRY_MS, isDescriptorExhaustion } from './failure.js';
import { resolveScanOptions, type ScanOptions } from './options.js';
import { createProbeContext, probeTarget } from './probe.js';
import type { ScanResult } from './types.js';

/**
 * Probes one target and resolves with its result; never rejects for a network failure.
 * Takes the same options as {@link scan} (`concurrency`, `rateLimit` and
 * `perHostConcurrency` do not apply); for every address of a hostname, use `scan()` with
 * `addresses: 'all'`.
 *
 * @throws {@link ScanOptionsError} for invalid options.
 *
 * @example
 * ```ts
 * import { grab } from 'certsweep';
 *
 * const result = await grab({ host: 'mail.example.com', port: 25, servername: 'mail.example.com' });
 * if (result.ok) console.log(result.protocol, result.chain.length, result.starttls); // "smtp"
 * ```
 */
export async function grab(target: Target, options: ScanOptions = {}): Promise<ScanResult> {
  const resolved = resolveScanOptions(options);
  if (resolved.addresses === 'all') {
    throw new ScanOptionsError({
      option: 'addresses',
      message: "addresses: grab() probes one address; use scan() for addresses: 'all'",
    });
  }
  const context = createProbeContext(resolved);
  const { signal } = resolved;
  const onAbort = () => context.clock.abort();
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const giveUpAt = performance.now() + resolved.timeoutMs;
  try {
    for (;;) {
      try {
        const [result] = await probeTarget(target, context);
        return result as ScanResult;
      } catch (error) {
        // Out of file descriptors: wait for some to free up, within the deadline.
        if (!isDescriptorExhaustion(error) || performance.now() > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, DESCRIPTOR_RETRY_MS));
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
