import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot, schemasDir } from '../config/paths.js';

/**
 * Writes src/core/generated/avro-types.ts from schemas/*.avsc, so the TypeScript types of every
 * Kafka record come from the Avro contract instead of drifting beside it.
 * Run with `npm run gen:types`; a unit test fails when the file is stale.
 */
type AvroType = string | AvroType[] | { type: string; [k: string]: unknown };

interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
}

const primitives: Record<string, string> = {
  string: 'string',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  boolean: 'boolean',
  bytes: 'Buffer',
  null: 'null',
};

export function generateTypes(schemaFiles: string[]): string {
  const declarations: string[] = [];
  const seen = new Set<string>();

  const tsType = (type: AvroType): string => {
    if (typeof type === 'string') return primitives[type] ?? type;
    if (Array.isArray(type)) return type.map(tsType).join(' | ');
    switch (type.type) {
      case 'record':
        emitRecord(type as unknown as { name: string; doc?: string; fields: AvroField[] });
        return String(type.name);
      case 'array':
        return `${wrap(tsType(type.items as AvroType))}[]`;
      case 'map':
        return `Record<string, ${tsType(type.values as AvroType)}>`;
      case 'enum':
        return (type.symbols as string[]).map((s) => `'${s}'`).join(' | ');
      default:
        return primitives[type.type] ?? type.type;
    }
  };

  const wrap = (t: string): string => (t.includes('|') ? `(${t})` : t);

  const emitRecord = (record: { name: string; doc?: string; fields: AvroField[] }): void => {
    if (seen.has(record.name)) return;
    seen.add(record.name);
    const lines = record.fields.map((field) => {
      const doc = field.doc ? `  /** ${field.doc} */\n` : '';
      return `${doc}  ${field.name}: ${tsType(field.type)};`;
    });
    const doc = record.doc ? `/** ${record.doc} */\n` : '';
    declarations.push(`${doc}export interface ${record.name} {\n${lines.join('\n')}\n}`);
  };

  for (const file of schemaFiles) tsType(JSON.parse(readFileSync(file, 'utf8')) as AvroType);

  return (
    '// Generated from schemas/*.avsc by `npm run gen:types`. Do not edit.\n\n' +
    declarations.join('\n\n') +
    '\n'
  );
}

export const generatedTypesFile = path.join(packageRoot, 'src', 'core', 'generated', 'avro-types.ts');

export function schemaFiles(): string[] {
  return readdirSync(schemasDir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()
    .map((f) => path.join(schemasDir, f));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(generatedTypesFile, generateTypes(schemaFiles()));
  console.log(`wrote ${path.relative(packageRoot, generatedTypesFile)}`);
}
