import { renderRunReportHtml } from '@/components/report-html';
import { handleCliApiRequest } from '@/lib/cli-api/handle-request';
import { getDatabase, getReadDatabase } from '@/lib/db/connection';

export const dynamic = 'force-dynamic';

/** The command line's API (lib/cli-api/protocol.ts): bearer tokens only, never the session cookie. */
function handle(request: Request): Promise<Response> {
  return handleCliApiRequest(request, {
    database: getDatabase(),
    readDatabase: getReadDatabase(),
    renderReportHtml: renderRunReportHtml,
  });
}

export const GET = handle;
export const POST = handle;
