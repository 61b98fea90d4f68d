-- Reserved for issue 19 (reconcile); replaced by the change that needs it.
SELECT 1;
