# A plain image of Retour for compose.yaml (docs/scaling.md). One image, two roles:
# `retour serve --no-worker` (web) and `retour worker` (tasks).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 RETOUR_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY retour ./retour
RUN pip install --no-cache-dir '.[s3]' && retour compilemessages
VOLUME /data
EXPOSE 8000
CMD ["retour", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
