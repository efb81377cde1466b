"""A Spark job for test/e2e/sparkS3aAgainstMoto.test.ts: appends one day's orders to a Parquet table
partitioned by `dt`, through Hadoop's S3A connector, then reads the table back.

usage: spark_s3a_job.py ENDPOINT CLASSPATH TABLE_URL DAY
The caller's AWS keys come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
"""

import sys

from pyspark.sql import SparkSession

endpoint, classpath, table, day = sys.argv[1:5]
spark = (
    SparkSession.builder.master("local[1]")
    .appName("orders")
    # The Hadoop 3.3.6 client and S3A jars before Spark's own Hadoop 3.3.4 client.
    .config("spark.driver.extraClassPath", classpath)
    .config("spark.ui.enabled", "false")
    .config("spark.hadoop.fs.s3a.endpoint", endpoint)
    .config("spark.hadoop.fs.s3a.endpoint.region", "us-east-1")
    .config("spark.hadoop.fs.s3a.path.style.access", "true")
    .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
    .config("spark.hadoop.fs.s3a.attempts.maximum", "1")
    .config("spark.hadoop.fs.s3a.retry.limit", "1")
    .config(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
    )
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
orders = spark.createDataFrame([(day, 1, 9.5), (day, 2, 3.0)], ["dt", "id", "amount"])
orders.write.mode("append").partitionBy("dt").parquet(table)
print("rows", spark.read.parquet(table).count())
spark.stop()
