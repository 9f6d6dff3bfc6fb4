"""The AWS edges of pagesift: boto3 adapters for the core's ports, the one retry policy of
every AWS call, and the Powertools handler that the functions' composition roots wire up."""
