-- Reserved for issue 19 (pipeline signals); replaced by the change that needs it.
SELECT 1;
