// Real servers on loopback for scanner tests, in one import: TLS servers on many 127.x.y.z
// addresses, minimal STARTTLS servers for each protocol, servers that misbehave on purpose,
// and builders of raw TLS flights.
export * from './hostile-servers.js';
export * from './servers.js';
export * from './starttls-servers.js';
export * from './tls-flight.js';
