"""Models, kept apart by role: `api` (HTTP in/out), `drop_in` (the drop-in routes),
`domain` (what the logic works with), `storage` (DynamoDB items) and `messages` (SQS)."""
