# The Chain Tutor service image, for docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHAIN_TUTOR_INSTANCE=/var/lib/chain-tutor

WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements ./requirements
COPY service ./service
COPY migrations ./migrations
COPY content ./content
# Editable install: the service finds migrations/ and content/ beside the package.
# The lock: the image gets the versions CI tested.
RUN pip install --no-cache-dir -c requirements/constraints.txt -e . && mkdir -p /var/lib/chain-tutor

EXPOSE 5000
CMD ["chain-tutor", "run", "--host", "0.0.0.0", "--port", "5000"]
