import { useEffect } from 'react';

/** Choose the only option when nothing is chosen yet: one model or one dataset needs no click. */
export function useOnlyChoice(value: string | null, options: { id: string }[] | undefined, onChange: (id: string) => void) {
  const only = options?.length === 1 ? options[0]?.id : undefined;
  useEffect(() => {
    if (value === null && only !== undefined) onChange(only);
  }, [value, only, onChange]);
}
