/**
 * `idocgate hash-key [key]`     prints the SHA-256 digest of a partner API key for
 *                               `partners.<name>.credentials.apiKeySha256`; without a key it makes
 *                               a new random one and prints both (give the key to the partner).
 * `idocgate hash-password`      reads a password from stdin (first line) and prints its scrypt hash
 *                               for `operators.<name>.passwordHash` or a basic credential's passwordHash.
 */
import type { Command } from 'commander';
import { hashPassword, newApiKey, sha256Hex } from '../../api/credentials.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function register(program: Command): void {
  program
    .command('hash-key')
    .description('SHA-256 digest of a partner API key for the config (no key: generate a new one)')
    .argument('[key]', 'the API key; omit to generate one')
    .action((key: string | undefined) => {
      if (key !== undefined) {
        process.stdout.write(`${sha256Hex(key)}\n`);
        return;
      }
      const k = newApiKey();
      process.stdout.write(
        `api key (give to the partner): ${k.key}\napiKeySha256 (put in the config): ${k.sha256}\n`,
      );
    });
  program
    .command('hash-password')
    .description('scrypt hash of a password read from stdin, for operators and basic credentials')
    .action(async () => {
      const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
      if (password === '') {
        process.stderr.write(
          'idocgate: give the password on stdin, e.g. `printf %s "$PW" | idocgate hash-password`\n',
        );
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
