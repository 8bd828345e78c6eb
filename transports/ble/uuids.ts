// The UART-style GATT service of the tunnel (Nordic UART Service UUIDs, which tools like nRF Connect recognise).
export const TUNNEL_SERVICE_UUID = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
/** central → relay: write */
export const TUNNEL_RX_UUID = '6e400002-b5a3-f393-e0a9-e50e24dcca9e';
/** relay → central: notify */
export const TUNNEL_TX_UUID = '6e400003-b5a3-f393-e0a9-e50e24dcca9e';
