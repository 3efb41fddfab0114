"""CRM adapters: the protocol every CRM speaks through, and the Salesforce REST adapter."""
