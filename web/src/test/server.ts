import { setupServer } from 'msw/node';

/** The HTTP server the tests talk to through real fetch; each test installs its handlers. */
export const server = setupServer();
