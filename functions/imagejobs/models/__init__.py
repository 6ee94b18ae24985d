"""Models, kept apart by role: `api` (HTTP in/out), `compat` (the drop-in routes),
`domain` (what the logic works with), `storage` (DynamoDB items) and `messages` (SQS)."""
