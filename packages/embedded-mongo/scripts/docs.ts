/** `npm run db:docs`: rewrites the README's generated section from the server's own tables. */
import fs from 'node:fs';
import { README, currentReadme } from './readme.ts';

const { onDisk, expected } = await currentReadme();
if (onDisk === expected) console.log('README.md is up to date');
else {
  fs.writeFileSync(README, expected);
  console.log('README.md rewritten');
}
