/** `npm run db:docs`: rewrites the READMEs' generated sections from the server's own tables and replies. */
import fs from 'node:fs';
import path from 'node:path';
import { currentReadmes } from './readme.ts';

for (const { file, onDisk, expected } of await currentReadmes()) {
  const name = path.relative(process.cwd(), file);
  if (onDisk === expected) console.log(`${name} is up to date`);
  else {
    fs.writeFileSync(file, expected);
    console.log(`${name} rewritten`);
  }
}
