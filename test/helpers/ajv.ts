import { Ajv } from 'ajv';

/**
 * An ajv instance set up for GitHub's schemas (REST description and webhook
 * schemas alike): strict mode off, all errors, `date-time` and `uri` checked, the
 * other formats GitHub uses accepted as documentation.
 * @param options passed to ajv (e.g. `validateSchema: false` for OpenAPI 3.0 schemas)
 */
export function githubAjv(options: { validateSchema?: boolean } = {}): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, ...options });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('uri', {
    validate: (s: string) => {
      try {
        new URL(s);
        return true;
      } catch {
        return false;
      }
    },
  });
  for (const f of [
    'email',
    'uuid',
    'int64',
    'int32',
    'ipv4',
    'ipv6',
    'hostname',
    'uri-template',
    'date',
    'binary',
    'byte',
    'password',
    'repo.nwo',
    'ssh-key',
    'ssh-key fingerprint',
  ]) {
    ajv.addFormat(f, true);
  }
  return ajv;
}
