"""Local Kafka and Elasticsearch, started without Docker."""
