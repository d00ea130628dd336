import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/config/paths.js';

// The project's own eslint.config.js on a file that is never written: `filePath` only places it
// in the tree, so its imports resolve against the real modules. Type-aware rules are off (they
// need the file on disk) and do not concern layers.
const eslint = new ESLint({ cwd: packageRoot, overrideConfig: tseslint.configs.disableTypeChecked });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${packageRoot}/${filePath}` });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths')
    .map((m) => m.message);
}

describe('the layer rule', () => {
  it('fails the kernel importing the application', async () => {
    const errors = await layerErrors(
      'src/core/kafka/upward.ts',
      "import { loadConfig } from '../../app/config/load.js';\nexport const load = loadConfig;\n",
    );
    expect(errors).toEqual([expect.stringContaining('src/core is the kernel')]);
  });

  it('fails the kernel importing a component folder', async () => {
    const errors = await layerErrors(
      'src/core/upward.ts',
      [
        "import { connectorModules } from '../../connectors/registry.js';",
        "import { sinkSettingsShape } from '../../sinks/settings.js';",
        'export const both = [connectorModules, sinkSettingsShape];',
        '',
      ].join('\n'),
    );
    expect(errors).toHaveLength(2);
  });

  it('fails a component importing the application', async () => {
    for (const folder of ['connectors', 'processors/runtime', 'sinks', 'stack']) {
      const up = '../'.repeat(folder.split('/').length);
      const errors = await layerErrors(
        `${folder}/upward.ts`,
        `import type { Config } from '${up}src/app/config/load.js';\nexport type Wired = Config;\n`,
      );
      expect(errors, folder).toEqual([expect.stringContaining('never the application (src/app)')]);
    }
  });

  it('lets imports point down: a component to the kernel, the application to both', async () => {
    expect(
      await layerErrors(
        'sinks/downward.ts',
        "import { ConfigError } from '../src/core/errors.js';\nexport const error = ConfigError;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'src/app/downward.ts',
        [
          "import { connectorModules } from '../../connectors/registry.js';",
          "import { ConfigError } from '../core/errors.js';",
          'export const both = [connectorModules, ConfigError];',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});
