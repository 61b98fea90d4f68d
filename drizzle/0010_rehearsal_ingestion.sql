-- Reserved for issue 19 (rehearsal ingestion); replaced by the change that needs it.
SELECT 1;
