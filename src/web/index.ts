export { createWebHandler, type WebHandler, type WebHandlerOptions } from './handler.js';
export { CONTENT_SECURITY_POLICY } from './headers.js';
export { type OpenApiDocument, openApiDocument } from './openapi.js';
export {
  DEFAULT_LISTEN,
  isLoopback,
  type ListenAddress,
  parseListen,
  type ServeWebOptions,
  serveWeb,
  type WebServer,
} from './serve.js';
