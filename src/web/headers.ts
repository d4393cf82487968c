// The headers every answer carries: nothing the page shows can run as script or style.
import type { ServerResponse } from 'node:http';

/**
 * The Content-Security-Policy of every answer: scripts, styles, images and connections from
 * this origin only, no inline script or style, no plugins, no framing, no `<base>`.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** A JSON error: `{ error: { code, message, parameter? } }`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  parameter?: string,
): void {
  sendJson(res, status, {
    error: { code, message, ...(parameter === undefined ? {} : { parameter }) },
  });
}
