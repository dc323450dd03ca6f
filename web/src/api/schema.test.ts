// Drift check: schema.d.ts must be exactly what `npm run gen:api` makes from openapi.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const WEB = resolve(import.meta.dirname, '../..');

it('src/api/schema.d.ts matches openapi.json (run `npm run gen:api` if this fails)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easytune-schema-'));
  try {
    const fresh = join(dir, 'schema.d.ts');
    const cli = join(WEB, 'node_modules/openapi-typescript/bin/cli.js');
    execFileSync(process.execPath, [cli, 'openapi.json', '-o', fresh], { cwd: WEB, stdio: 'pipe' });
    const committed = readFileSync(join(WEB, 'src/api/schema.d.ts'), 'utf8');
    expect(committed === readFileSync(fresh, 'utf8'), 'schema.d.ts is stale: run `npm run gen:api`').toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
