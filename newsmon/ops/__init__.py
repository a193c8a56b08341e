"""Operations: consumer lag, metrics, health."""
