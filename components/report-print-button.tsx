'use client';

/** Opens the browser's print dialog for the report page (the saved HTML file has no script, so no button). */
export function ReportPrintButton() {
  return (
    <button
      type="button"
      className="no-print"
      onClick={() => window.print()}
      style={{
        border: '1px solid #94a3b8',
        borderRadius: 4,
        padding: '3px 10px',
        background: '#fff',
        cursor: 'pointer',
      }}
    >
      Print (A4)
    </button>
  );
}
