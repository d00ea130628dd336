/**
 * Writes tar archives (ustar); the reader's counterpart, for building archives of historical files
 * in tests and the benchmark.
 */
/** A ustar archive of the given files, as `tar` writes one (names up to 255 bytes via the prefix field). */
export function tarArchive(files: readonly { name: string; data: Buffer; mtime?: number }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(512);
    let name = file.name;
    let prefix = '';
    if (Buffer.byteLength(name) > 100) {
      const cut = name.lastIndexOf('/', 155);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 8, 'ascii');
    header.write('0000000\0', 108, 8, 'ascii');
    header.write('0000000\0', 116, 8, 'ascii');
    header.write(file.data.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
    header.write(
      Math.floor((file.mtime ?? 1_700_000_000_000) / 1000)
        .toString(8)
        .padStart(11, '0') + '\0',
      136,
      12,
      'ascii',
    );
    header.write('        ', 148, 8, 'ascii');
    header.write('0', 156, 1, 'ascii');
    header.write('ustar\0', 257, 6, 'ascii');
    header.write('00', 263, 2, 'ascii');
    header.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
    blocks.push(header, file.data, Buffer.alloc((512 - (file.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
