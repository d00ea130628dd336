// kafkajs 2.2.4 src/producer/sendMessages.js with two changes by oddsflow (patches/README.md):
// 1. Acknowledgements are kept per partition instead of per broker, so a retry sends every
//    partition not yet acknowledged, wherever its leader now is. Upstream keyed them by broker:
//    when a broker died mid-request and its partitions' new leader had already answered for its
//    own partitions in the same call, the retry skipped that broker and the dead broker's
//    messages were reported as sent and lost (kafkajs#1303).
// 2. A retry waits until every request of the failed attempt has settled. Upstream retried as
//    soon as one broker's request failed, while another's was still in flight: that request's
//    partitions had no answer yet, were sent again under the next sequence numbers, and both
//    copies were written (inside a transaction too).
// Both found by oddsflow's leader-kill fault test (test/faults/cluster.test.ts).
const { KafkaJSMetadataNotLoaded } = require('../errors')
const { staleMetadata } = require('../protocol/error')
const groupMessagesPerPartition = require('./groupMessagesPerPartition')
const createTopicData = require('./createTopicData')
const responseSerializer = require('./responseSerializer')

const { keys } = Object

const partitionKey = (topic, partition) => `${topic}|${partition}`

/**
 * @param {Object} options
 * @param {import("../../types").Logger} options.logger
 * @param {import("../../types").Cluster} options.cluster
 * @param {ReturnType<import("../../types").ICustomPartitioner>} options.partitioner
 * @param {import("./eosManager").EosManager} options.eosManager
 * @param {import("../retry").Retrier} options.retrier
 */
module.exports = ({ logger, cluster, partitioner, eosManager, retrier }) => {
  return async ({ acks, timeout, compression, topicMessages }) => {
    /** @type {Map<string, any>} the response of each partition acknowledged so far (null with acks=0) */
    const responsePerPartition = new Map()

    const createProducerRequests = async () => {
      const topicMetadata = new Map()
      const leaders = new Set()

      await cluster.refreshMetadataIfNecessary()

      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic)

        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', {
            topic,
            targetTopics: Array.from(cluster.targetTopics),
          })

          throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata')
        }

        const messagesPerPartition = groupMessagesPerPartition({
          topic,
          partitionMetadata,
          messages,
          partitioner,
        })

        const pending = keys(messagesPerPartition).filter(
          partition => !responsePerPartition.has(partitionKey(topic, partition))
        )
        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, pending)
        keys(partitionsPerLeader).forEach(nodeId => leaders.add(nodeId))

        topicMetadata.set(topic, {
          partitionsPerLeader,
          messagesPerPartition,
        })
      }

      return Array.from(leaders).map(async nodeId => {
        const broker = await cluster.findBroker({ nodeId })
        const entries = Array.from(topicMetadata.entries())
        const topicDataForBroker = entries
          .filter(([_, { partitionsPerLeader }]) => !!partitionsPerLeader[nodeId])
          .map(([topic, { partitionsPerLeader, messagesPerPartition }]) => ({
            topic,
            partitions: partitionsPerLeader[nodeId],
            messagesPerPartition,
          }))

        const topicData = createTopicData(topicDataForBroker)

        await eosManager.acquireBrokerLock(broker)
        try {
          if (eosManager.isTransactional()) {
            await eosManager.addPartitionsToTransaction(topicData)
          }

          topicData.forEach(({ topic, partitions }) => {
            partitions.forEach(entry => {
              entry['firstSequence'] = eosManager.getSequence(topic, entry.partition)
              eosManager.updateSequence(topic, entry.partition, entry.messages.length)
            })
          })

          let response
          try {
            response = await broker.produce({
              transactionalId: eosManager.isTransactional()
                ? eosManager.getTransactionalId()
                : undefined,
              producerId: eosManager.getProducerId(),
              producerEpoch: eosManager.getProducerEpoch(),
              acks,
              timeout,
              compression,
              topicData,
            })
          } catch (e) {
            topicData.forEach(({ topic, partitions }) => {
              partitions.forEach(entry => {
                eosManager.updateSequence(topic, entry.partition, -entry.messages.length)
              })
            })
            throw e
          }

          if (acks !== 0) {
            for (const entry of responseSerializer(response)) {
              responsePerPartition.set(partitionKey(entry.topicName, entry.partition), entry)
            }
          } else {
            topicData.forEach(({ topic, partitions }) => {
              partitions.forEach(entry => {
                responsePerPartition.set(partitionKey(topic, entry.partition), null)
              })
            })
          }
        } finally {
          await eosManager.releaseBrokerLock(broker)
        }
      })
    }

    return retrier(async (bail, retryCount, retryTime) => {
      const topics = topicMessages.map(({ topic }) => topic)
      await cluster.addMultipleTargetTopics(topics)

      try {
        const requests = await createProducerRequests()
        const settled = await Promise.allSettled(requests)
        const failed = settled.find(outcome => outcome.status === 'rejected')
        if (failed) throw failed.reason
        return Array.from(responsePerPartition.values()).filter(entry => entry !== null)
      } catch (e) {
        if (e.name === 'KafkaJSConnectionClosedError') {
          cluster.removeBroker({ host: e.host, port: e.port })
        }

        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, {
            retryCount,
            retryTime,
          })
          await cluster.connect()
          await cluster.refreshMetadata()
          throw e
        }

        // oddsflow patch: the broker still finishing this producer's last transaction says
        // nothing about the cluster's metadata, and a transaction begun right after a commit
        // usually hears it once: retry without a Metadata request (and without an error log).
        if (e.type === 'CONCURRENT_TRANSACTIONS') {
          logger.debug(`Failed to send messages: ${e.message}`, { retryCount, retryTime })
          throw e
        }

        // This is necessary in case the metadata is stale and the number of partitions
        // for this topic has increased in the meantime
        if (
          staleMetadata(e) ||
          e.name === 'KafkaJSMetadataNotLoaded' ||
          e.name === 'KafkaJSConnectionError' ||
          e.name === 'KafkaJSConnectionClosedError' ||
          (e.name === 'KafkaJSProtocolError' && e.retriable)
        ) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime })
          await cluster.refreshMetadata()
          throw e
        }

        logger.error(`${e.message}`, { retryCount, retryTime })
        if (e.retriable) throw e
        bail(e)
      }
    })
  }
}
