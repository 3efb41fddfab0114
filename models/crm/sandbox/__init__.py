"""A local CRM that answers like Salesforce's REST API, for demo mode and tests."""
