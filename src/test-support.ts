/** Helpers shared by the tests (src/http/test-support.ts has those of the HTTP API). */
import { KaifangError } from './errors.ts';

/** The code of the KaifangError `fn` throws, or undefined when it returns; any other error is rethrown. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KaifangError) return e.code;
    throw e;
  }
  return undefined;
}

/** The KaifangError `p` rejects with; success, or any other error, fails the test. */
export async function failure(p: Promise<unknown>): Promise<KaifangError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KaifangError) return e;
    throw e;
  }
  throw new Error('expected a KaifangError, got success');
}
