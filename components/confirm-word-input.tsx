import { TextField } from './form-fields';

/**
 * "Type WORD to confirm": the typed confirmation every destructive form asks for (abandon, approve,
 * rollback), one look and one accessible name (`Type WORD to confirm`) for all of them.
 */
export function ConfirmWordInput({
  word,
  value,
  onChange,
  width = 'w-36',
}: {
  word: string;
  value: string;
  onChange: (value: string) => void;
  width?: string;
}) {
  return (
    <TextField
      block
      label={`Type ${word} to confirm`}
      value={value}
      onChange={onChange}
      aria-label={`Type ${word} to confirm`}
      autoComplete="off"
      width={width}
      mono
    />
  );
}
