// Answers checked against the OpenAPI document the server itself serves: each body against
// the schema its path, method and status declare (JSON Schema 2020-12, as OAS 3.1 has it).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface OpenApiChecker {
  /** Throws, naming the path and the first mismatches, when `body` is not what the document says. */
  check(template: string, status: number, body: unknown): void;
  /** Paths checked so far, by template. */
  readonly checked: Set<string>;
}

export function openApiChecker(document: { paths: Record<string, unknown> }): OpenApiChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  ajv.addSchema({ ...document, $id: 'openapi' });
  const checked = new Set<string>();
  return {
    checked,
    check(template, status, body) {
      if (!(template in document.paths))
        throw new Error(`${template} is not in the OpenAPI document`);
      const pointer = [
        'paths',
        template,
        'get',
        'responses',
        String(status),
        'content',
        'application/json',
        'schema',
      ]
        .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
        .join('/');
      const validate = ajv.getSchema(`openapi#/${pointer}`);
      if (!validate)
        throw new Error(
          `the OpenAPI document declares no ${status} JSON answer for GET ${template}`,
        );
      if (!validate(body)) {
        throw new Error(
          `GET ${template} ${status} does not match the OpenAPI document: ${ajv.errorsText(validate.errors?.slice(0, 5))}`,
        );
      }
      checked.add(template);
    },
  };
}
