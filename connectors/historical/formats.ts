import type { FileHead, RecordingFormat } from '../contract.js';
import { connectorModules } from '../registry.js';
import { compressionOf } from './decompress.js';
import { oddsCsvFormat, type CsvRecordingOptions } from './odds-csv.js';

/** Every format recorded data is read in: each connector module's, in registry order, then the generic odds CSV. */
export const recordingFormats: readonly RecordingFormat<CsvRecordingOptions>[] = [
  ...Object.values(connectorModules).flatMap((m) => [m.recordingFormat, ...m.otherFormats]),
  oddsCsvFormat,
];

/** `--format`: what a historical file holds; `auto` (elsewhere) tells it by the name and the first line. */
export const historyFormats = recordingFormats.map((f) => f.name);

export function formatNamed(name: string): RecordingFormat<CsvRecordingOptions> | undefined {
  return recordingFormats.find((f) => f.name === name);
}

/**
 * The format of a file by its name and first line: among the formats that claim its suffix (or,
 * when none does, those that claim no suffix), the first that recognises it, a fallback format
 * only when no other does.
 */
export function detectFormat(
  name: string,
  first: string | undefined,
  options: CsvRecordingOptions,
): RecordingFormat<CsvRecordingOptions> | undefined {
  const inner = compressionOf(name).inner.toLowerCase();
  const claiming = recordingFormats.filter((f) => f.suffix !== undefined && inner.endsWith(f.suffix));
  const candidates = claiming.length > 0 ? claiming : recordingFormats.filter((f) => f.suffix === undefined);
  const head: FileHead<CsvRecordingOptions> = { name: inner, first, options };
  return (
    candidates.find((f) => f.fallback !== true && f.recognises(head)) ??
    candidates.find((f) => f.fallback === true && f.recognises(head))
  );
}
