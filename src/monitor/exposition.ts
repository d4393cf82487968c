// The Prometheus text exposition format (0.0.4): families of samples, label values escaped and
// bounded in length.

/** Longest label value kept, in UTF-16 code units: a value from a certificate is cut there. */
export const MAX_LABEL = 256;

/** One metric family being filled: add samples with `sample(labels, value)`. */
export interface Family {
  sample(labels: Readonly<Record<string, string>>, value: number): void;
}

/** Collects metric families and renders them in the text format, in the order created. */
export class Exposition {
  private readonly families: { header: string[]; samples: string[] }[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string): Family {
    const family = {
      header: [
        `# HELP ${name} ${help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`,
        `# TYPE ${name} ${type}`,
      ],
      samples: [] as string[],
    };
    this.families.push(family);
    return {
      sample: (labels, value) => {
        const rendered = Object.entries(labels)
          .map(([key, v]) => `${key}="${escapeLabel(boundedLabel(v))}"`)
          .join(',');
        family.samples.push(`${name}{${rendered}} ${value}`);
      },
    };
  }

  render(): string {
    const lines = this.families.flatMap((family) => [...family.header, ...family.samples]);
    return `${lines.join('\n')}\n`;
  }
}

/**
 * A label value as the exposition carries it: at most {@link MAX_LABEL} code units (cut with
 * `…`), and well-formed Unicode (a lone surrogate, which has no UTF-8 form, becomes U+FFFD).
 */
function boundedLabel(value: string): string {
  const text = String(value);
  const cut = text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
  return cut.replace(/\p{Cs}/gu, '\uFFFD');
}

/**
 * Escapes a label value for the Prometheus text format 0.0.4: backslash, double quote and
 * line feed.
 *
 * @example
 * ```ts
 * escapeLabel('say "hi"\n'); // 'say \\"hi\\"\\n'
 * ```
 */
export function escapeLabel(value: string): string {
  return String(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/**
 * A negotiated protocol as blackbox_exporter's `probe_tls_version_info` names it: `TLSv1.3`
 * → `TLS 1.3`, `TLSv1` → `TLS 1.0`, `SSLv3` → `SSL 3.0`; anything else as it is.
 */
export function tlsVersionLabel(protocol: string): string {
  const match = /^(TLS|SSL)v(\d)(?:\.(\d))?$/.exec(protocol);
  if (!match) return protocol;
  return `${match[1]} ${match[2]}.${match[3] ?? '0'}`;
}
