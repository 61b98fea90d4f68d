/**
 * "Type WORD to confirm": the typed confirmation every destructive form asks for (abandon, approve,
 * rollback), one look and one accessible name (`Type WORD to confirm`) for all of them.
 */
export function ConfirmWordInput({
  word,
  value,
  onChange,
  className = 'mt-1 w-36',
}: {
  word: string;
  value: string;
  onChange: (value: string) => void;
  className?: string;
}) {
  return (
    <label className="block text-sm">
      <span className="block font-medium">Type {word} to confirm</span>
      <input
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-label={`Type ${word} to confirm`}
        className={`${className} rounded border border-slate-300 px-2 py-1 font-mono`}
        autoComplete="off"
      />
    </label>
  );
}
