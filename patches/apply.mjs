// Replaces files of installed dependencies with the fixed copies in this folder (README.md says
// why each exists). Runs after every `npm install` / `npm ci` (package.json "postinstall").
// A target whose content is neither the original it was written against nor the fix (nor an
// earlier version of the fix) means the dependency changed version: stop, so that nobody runs an
// unpatched client by surprise.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

const patches = [
  {
    why: 'kafkajs#1303: a retry after a broker failure could skip partitions and lose acknowledged messages; no Metadata request for CONCURRENT_TRANSACTIONS',
    target: 'node_modules/kafkajs/src/producer/sendMessages.js',
    originalSha256: '8a120e6993955e040a13014cccebd79b8d41e7355d6eda1065fa83fea2fbbcdb',
    // Earlier versions of the fix, which a checkout installed before may still hold.
    supersedes: ['0945c7cc358493bfba50c15a0b81277caf02447645476840d45860bacb7b4da1'],
    replacement: 'kafkajs-2.2.4/src/producer/sendMessages.js',
  },
  {
    why: 'a FindCoordinator request before every transactional request: four or more per transaction',
    target: 'node_modules/kafkajs/src/producer/eosManager/index.js',
    originalSha256: 'a74ae029d7aa786b8616b77f922d30a81bec2833878769dbfa6b4a9dab66db22',
    replacement: 'kafkajs-2.2.4/src/producer/eosManager/index.js',
  },
];

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

let failed = false;
for (const patch of patches) {
  const target = path.join(root, patch.target);
  const replacement = path.join(here, patch.replacement);
  if (!existsSync(target)) continue; // not installed (e.g. a partial install): nothing to patch
  const current = sha256(target);
  if (current === sha256(replacement)) continue;
  if (current !== patch.originalSha256 && !(patch.supersedes ?? []).includes(current)) {
    console.error(
      `patches: ${patch.target} is not the file the fix was written for (${patch.why}); check the fix against the new version`,
    );
    failed = true;
    continue;
  }
  copyFileSync(replacement, target);
  console.log(`patches: ${patch.target} patched (${patch.why})`);
}
process.exit(failed ? 1 : 0);
