// jsdom has no matchMedia; antd's breakpoints and our theme default need one we can steer.
let prefersDark = false;

export function setPrefersDark(value: boolean) {
  prefersDark = value;
}

export function resetMedia() {
  prefersDark = false;
}

export function installMatchMedia() {
  window.matchMedia = (query: string): MediaQueryList => ({
    matches: query.includes('prefers-color-scheme: dark') ? prefersDark : false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  });
}
