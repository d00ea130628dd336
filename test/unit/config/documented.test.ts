import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/config/paths.js';
import { settingsShape } from '../../../src/app/config/settings.js';
import { errorCodes } from '../../../src/core/errors.js';

describe('the README', () => {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');

  it('documents every setting the config accepts', () => {
    const missing = Object.keys(settingsShape).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('names no setting the config does not accept', () => {
    // Error codes (KAFKA_RECORD_REJECTED…) share the settings' prefixes.
    const known = new Set([...Object.keys(settingsShape), ...Object.keys(errorCodes)]);
    const mentioned = [...readme.matchAll(/`((?:ODDSFLOW|KAFKA|SCHEMA_REGISTRY)_[A-Z_]+)`/g)].map(
      (m) => m[1]!,
    );
    expect(mentioned.filter((name) => !known.has(name))).toEqual([]);
  });

  it('gives the two commands: the demo and the tests', () => {
    expect(readme).toMatch(/^npm run demo/m);
    expect(readme).toMatch(/^npm test/m);
  });
});
