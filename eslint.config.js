import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const componentFolders = ['./connectors', './processors', './sinks', './stack'];

/** What each layer may not import; test/, bench/ and examples/ may import anything. */
const layerZones = [
  {
    target: './src/core',
    from: ['./src/app', ...componentFolders],
    message: 'src/core is the kernel: it imports neither the application (src/app) nor a component folder.',
  },
  {
    target: componentFolders,
    from: './src/app',
    message: 'A component imports the kernel (src/core), never the application (src/app) that wires it.',
  },
];

export default tseslint.config(
  {
    // patches/<package>/…: upstream files kept as upstream wrote them, but for the fix.
    ignores: [
      'dist/**',
      '.stack/**',
      'node_modules/**',
      'coverage/**',
      'src/core/generated/**',
      'patches/*/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Sources import each other as `./x.js` (NodeNext) while the file is x.ts: without the alias
    // the import-x rules resolve nothing and pass every import, and without the parser no-cycle
    // reads no .ts file.
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'import-x/no-cycle': 'error',
      // The layers (docs/architecture.md): imports point down, never up.
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones }],
      'no-console': 'off',
    },
  },
  {
    // Test doubles are often async functions that only throw or return.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
