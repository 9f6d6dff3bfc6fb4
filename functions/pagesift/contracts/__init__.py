"""What crosses pagesift's systems and its users' code: the document and its keys, the events,
the errors a page fails with, their JSON Schemas, the invocation's clock, and the ports that
both delivery and archives write through. Imports nothing else of pagesift."""
