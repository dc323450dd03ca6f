// A failed `authedFetch` response in the shape `toApiError` reads (status plus the JSON envelope).

/** `{status, data}` like an RTK Query error, with the body parsed when it is JSON. */
export async function responseError(response: Response): Promise<{ status: number; data: unknown }> {
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    // A proxy's HTML error page, or no body: the status alone says what happened.
  }
  return { status: response.status, data };
}

/** A fetch that failed because the user stopped it (AbortController), not because of the server. */
export const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';
